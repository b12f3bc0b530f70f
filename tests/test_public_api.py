import tantalio


def test_public_api_is_curated() -> None:
    public = {name for name in dir(tantalio) if not name.startswith("_")}
    modules = {name for name in public if type(getattr(tantalio, name)).__name__ == "module"}
    assert public - modules == set(tantalio.__all__) - {"__version__"}
    for name in tantalio.__all__:
        assert hasattr(tantalio, name), name
