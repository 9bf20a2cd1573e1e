"""Historical battles as a test of the combat laws.

``cdb90`` reads the CAA Database of Battles (660 battles, 1600-1973), ``runner`` turns
each battle into one engagement for a combat law, ``fit`` calibrates the laws with
k-fold cross-validation, ``scores`` compares them with honest baselines, and
``engagements_1919`` checks them on the quantified engagements of 1919.
"""
