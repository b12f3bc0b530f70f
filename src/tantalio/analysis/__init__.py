"""Store-side stages that wire the media and network libraries to the case store."""
