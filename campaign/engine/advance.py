"""Opposed rates of advance: how fast an attacker gets through a defended position.

Dupuy's models (QJM, *Numbers, Predictions and War*, 1979; *Understanding War*, 1987)
give the attacker's rate of advance against opposition as a base rate set by the
defender's posture -- fastest against a force withdrawing in contact, slowest against
fortifications -- which grows with the attacker's combat-power superiority (no
advance at parity or below) and is cut by terrain, rivers and the state of the
ground. The base rates below are of the order Dupuy gives for infantry at about 2:1
superiority in open country (World War II division figures; his small-unit data are
not faster on the ground).

In the engine a town's defence is a position of depth ``POSITION_DEPTH_KM``. Each
engagement step the attackers advance into it at the opposed rate; once they have got
through, the defenders still standing are driven out (they withdraw without being
routed), whatever their losses. Break points and the overwhelming/hopeless cut-offs
still decide most small fights sooner; the advance decides the ones where neither
side breaks, and does so faster the greater the superiority.
"""

from __future__ import annotations

#: Opposed rate of advance in km per day at 2:1 combat-power superiority in open
#: country, by the defender's posture (order of Dupuy's infantry figures: about 4 km
#: a day against a hasty defence, 2 against a prepared one, 1 against fortifications,
#: and faster against a force withdrawing in contact).
BASE_KM_PER_DAY = {"withdrawing": 8.0, "hasty": 4.0, "prepared": 2.0, "fortified": 1.0}
#: Superiority beyond which the rate grows no further (Dupuy's rates level off:
#: the attacker cannot move faster than he can deploy and fight forward).
RATIO_CAP = 4.0
#: Depth of a defended town's position (outposts, main line, the built-up area), km:
#: a 1919 battalion or regiment held a position one to three km deep.
POSITION_DEPTH_KM = 2.0


def opposed_rate(
    ratio: float, posture: str, ground_factor: float = 1.0, going: float = 1.0
) -> float:
    """Attacker's rate of advance, km per day, at combat-power ``ratio`` (attacker over
    defender, all multipliers counted) against a defender in ``posture``.

    The rate is the posture's base rate times the superiority beyond parity
    (``min(ratio, RATIO_CAP) - 1``; one at 2:1, nothing at 1:1 or below), divided by
    ``ground_factor`` (the defender's terrain and river multiplier: ground that helps
    the defence slows the advance) and times ``going`` (the season's march factor).
    """
    excess = min(ratio, RATIO_CAP) - 1.0
    if excess <= 0.0:
        return 0.0
    base = BASE_KM_PER_DAY.get(posture, BASE_KM_PER_DAY["hasty"])
    return base * excess / max(ground_factor, 1e-9) * max(going, 0.0)
