"""Documented defaults of the command layer: how much a commander wants before he
attacks, how far a side sees, how wrong its estimates are and how long it remembers.

Every number can be overridden per scenario (``command:`` and an intent's or an
objective's ``attack_ratio``); docs/model.md lists them with these sources.
"""

from __future__ import annotations

#: Perceived combat-power ratio (own power over the defender's, the defender's
#: posture and terrain counted) at which a commander orders an attack. Dupuy
#: (*Understanding War*, 1987) found that attackers won most engagements once their
#: combat power exceeded the defender's; staffs planned with a margin for what they
#: did not know (the 3:1 rule of thumb in men against a prepared defence is about
#: 1.5:1 once the defender's posture and terrain factors, 1.5 x 1.2-1.25, are counted).
ATTACK_RATIO = 1.5
#: A commander re-issues an objective's attack only while his force is at least this
#: share of the strength it had when the intent began (a spent force stops).
SPENT_SHARE = 0.4
#: Road links beyond its own units and towns at which a side sees enemy units:
#: infantry patrols reach the next town (a day's march, 15-30 km on this map);
#: cavalry screens reach a day further (FM 100-5 (1941): cavalry reconnaissance
#: reaches one to two days' march ahead of the main body).
RECON_LINKS = 1
CAVALRY_RECON_LINKS = 2
#: Lognormal sigma of a strength estimate of an enemy unit (about +-30%: Dupuy 1987
#: on intelligence estimates of enemy strength, which were often off by a third).
ESTIMATE_ERROR = 0.3
#: Days an enemy unit seen somewhere is still believed to be there.
MEMORY_DAYS = 3.0
#: Time of day (fraction of a day) of a commander's daily review: 06:00, with the orders.
REVIEW_HOUR = 0.25
#: Men-equivalents of a gun and a machine gun, and the quality factors, are the
#: combat model's (campaign.engine.combat): a staff estimates power as the model does.
