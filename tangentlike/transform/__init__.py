"""Transforms from a normalized function to derivative code."""
