"""Helpers shared by the tests: plain functions and classes, imported by test modules and conftest files.

Conftest files only define fixtures; anything a test calls lives here.
"""
