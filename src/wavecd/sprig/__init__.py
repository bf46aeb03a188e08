"""The Sprig function library as Helm and ApplicationSet goTemplate expose it."""
