"""Radiochemistry: purity, yields, molar activity, compound properties and the profile table."""
