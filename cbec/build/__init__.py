"""The build commands (`python -m cbec.build.<name>`): they make the files in data/ and static/
from the sources. The running app never imports this package."""
