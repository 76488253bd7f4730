"""The top level's torch-like surface (convlib/__init__.py) is made of the subpackages' own
export lists: a name is listed once, where it is defined."""

import ast
import inspect

import convlib
from convlib import functional, geometry, nn


def test_top_level_exports_every_subpackage_name_but_the_few_kept_there():
    kept = set(convlib._SUBPACKAGE_ONLY)
    for package in (geometry, functional, nn):
        for name in set(package.__all__) - kept:
            assert name in convlib.__all__, f"{package.__name__}.{name}"
            assert getattr(convlib, name) is getattr(package, name), name
    for name in kept:
        assert name not in convlib.__all__ and not hasattr(convlib, name), name
        assert any(name in p.__all__ for p in (geometry, functional, nn)), name


def test_every_top_level_name_is_importable_and_public():
    assert len(convlib.__all__) == len(set(convlib.__all__))
    for name in convlib.__all__:
        assert not name.startswith("_") and hasattr(convlib, name), name


def test_the_top_level_lists_no_name_of_a_subpackages_export_list():
    """No string literal in convlib/__init__.py repeats a name the subpackages export, apart
    from the few kept in their subpackage (a second list would drift from the first)."""
    tree = ast.parse(inspect.getsource(convlib))
    strings = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)}
    exported = set(geometry.__all__) | set(functional.__all__) | set(nn.__all__)
    assert strings & exported == set(convlib._SUBPACKAGE_ONLY)
