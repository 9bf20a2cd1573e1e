"""Documented defaults of the command layer: how much a commander wants before he
attacks, how far a side sees, how wrong its estimates are and how long it remembers.

Every number can be overridden per scenario (``command:`` and an intent's or an
objective's ``attack_ratio``); docs/model.md lists them with these sources.
"""

from __future__ import annotations

#: A formation that goes on to its next objective leaves its smallest unit in the
#: place it has just taken, as long as the others go on with at least one unit: a
#: captured position is consolidated and held before the advance resumes (FM 100-5
#: (1941) on the consolidation of captured objectives); without it the enemy walks
#: back into the towns an advance leaves empty behind it.
GARRISON_TAKEN_PLACES = True
#: A lone unit of a formation's size (a division, brigade, group or army given as one
#: unit, with at least ``DETACH_FROM_MEN`` men) that goes on from a place it has just
#: taken splits off a detachment to hold it: ``DETACHMENT_SHARE`` of its men, at least
#: ``DETACHMENT_MIN_MEN`` and at most ``DETACHMENT_MAX_MEN`` (a company to a weak
#: battalion). A division detached a company or so to garrison a town and guard its
#: line of communication (FM 100-5 (1941) on the consolidation of captured objectives
#: and the security of lines of communication); an advance thins as it goes. Sizes are
#: engineering estimates; smaller units (regiments, battalions) go on whole.
DETACH_FROM_MEN = 2000
DETACHMENT_SHARE = 0.05
DETACHMENT_MIN_MEN = 100
DETACHMENT_MAX_MEN = 400
#: Unit kinds that stand for several sub-units and can split off a detachment.
DETACHING_KINDS = ("division", "brigade", "group", "army")
#: Perceived combat-power ratio (own power over the defender's, the defender's
#: posture and terrain counted) at which a commander orders an attack. The rule of
#: thumb of 3:1 in men against a prepared defence (US FM 100-5; Dupuy, *Understanding
#: War*, 1987, on the 3:1 rule) divided by the prepared-defence posture factor (1.5)
#: and a typical terrain factor for a defended town or woods (about 1.5 with the
#: town's cover) gives 3 / 2.25 = 1.33; Dupuy found attackers won most engagements
#: once their combat power exceeded the defender's (1:1), so 1.3 leaves a margin for
#: what the staff does not know.
ATTACK_RATIO = 1.3
#: Days from the moment a commander learns of the event an intent waits for (a town
#: taken or lost, a unit broken) to his units moving on the new orders: the staff
#: works out and sends the orders and the units get ready. Staff procedure of the time
#: allowed subordinates most of the time available (US FM 101-5 (1940), the staff
#: officers' field manual; the later "one-third, two-thirds" rule); with couriers and
#: field telephones a regiment of 1919 moved on a new decision the next day, not within
#: the hour. An engineering estimate; a scenario may set ``command.decision_delay_days``.
DECISION_DELAY_DAYS = 1.0
#: A threatened place is reinforced only when, with every free unit of the intent
#: added, its defence (posture and terrain counted) would reach at least this share of
#: the enemy power seen near it: the classic 3:1 the other way round. Below it the
#: place is lost whatever is sent, and the reserve is kept for what it can still
#: decide (FM 100-5 (1941): reserves are committed where they can influence the
#: action); without it a band of fifty partisans was sent 150 km to "reinforce" a town
#: against a division.
WORTH_REINFORCING = 1 / 3
#: Only units within this many days' march of a threatened place are sent to
#: reinforce it: an enemy seen marching on it is at most a day or two off, and a fight
#: of the forces of 1919 is decided within a day (campaign.engine.tndm.DECISION_DAYS),
#: so a reserve further away arrives after the issue is settled (FM 100-5 (1941):
#: reserves are committed where and when they can influence the action). Without it a
#: regiment that had just left Utena marched round the lakes for a week, 150 km, to
#: "reinforce" Panevėžys, which had fallen on the second day.
REINFORCE_REACH_DAYS = 2.0
#: A unit screening a place falls back, without a fight, from an enemy whose
#: perceived power is at least this multiple of its own (a screen observes and
#: delays; it does not hold against a superior force: FM 100-5 on screening).
SCREEN_BREAK_RATIO = 1.0
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
# Men-equivalents of a gun and a machine gun, and the quality factors, are the
# combat model's (campaign.engine.combat): a staff estimates power as the model does.

#: A garrison falls back, while a road is open, once enemy units stand in this share
#: of the towns its roads lead to (at least two) with at least ``CUT_OFF_POWER`` times
#: its power: the fear of encirclement that emptied Kupiškis on 30-31 May 1919 in the
#: source, as a general rule rather than a date. 1.5 is the defender's posture factor:
#: beyond it the garrison could not expect to hold even from prepared positions. Only
#: a ring closing counts: enemy troops that have come up since the garrison took its
#: stand (those it found there are the front it was told to hold), and not the enemy
#: it has just driven out of the place.
CUT_OFF_SHARE = 0.6
CUT_OFF_POWER = 1.5
#: When the enemy already stands on the road back to the side's supply sources (its
#: line of communication) and on another road, an equal enemy is enough: the garrison
#: cannot count on clearing its rear while holding its front (the Kupiškis garrison
#: left when partisans appeared at Rokiškis behind it, in the source).
CUT_OFF_POWER_REAR_CUT = 1.0
#: Days after losing a place it was told to hold in which a commander counter-attacks
#: it on his own initiative, with its garrison and the units near it. An immediate
#: (hasty) counter-attack has to strike before the attacker consolidates, within a
#: day or two (FM 100-5 (1941) on counterattacks; the Soviet retaking of Panevėžys
#: two days after losing it on 19-21 May 1919 in the source); a later attack on the
#: place is a new decision, which the scenario has to give as an intent.
COUNTERATTACK_DAYS = 3.0
#: A unit cut off from every supply route breaks out towards the nearest town its
#: side supplies only when that town is within this many km by road, about three
#: days' march (3 x 25 km): encircled forces fight their way back to lines within
#: reach (FM 100-5 (1941) on encircled units); deeper in the enemy's rear it holds.
BREAKOUT_KM = 75.0
#: When choosing where to gather before an objective, a town no one holds counts as
#: this many km further than one of ours, and an empty enemy town (taken on the way)
#: as twice as far: about a day's march (25 km, as above). A commander prefers his own
#: ground for the assembly area, but not at the price of a long detour (FM 100-5 (1941)
#: puts the assembly area close behind the line of departure).
STAGING_NOT_OURS_KM = 25.0
#: A unit already next to an objective is not sent to a gathering place more than this
#: many km away by the road round the enemy (two days' march): it waits where it stands.
#: Two regiments on either side of an enemy town gather by attacking it together, not
#: by one marching a hundred km round it.
GATHER_DETOUR_KM = 50.0
