"""Scenario and study files shipped with carebench.

This folder is installed as the package ``carebench.scenarios`` (see
``pyproject.toml``) so that an installed carebench finds its default scenario.
"""
