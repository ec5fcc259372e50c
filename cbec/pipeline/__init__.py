"""The data pipeline's commands (`python -m cbec.pipeline.<name>`, each with --help): they make
the files in data/ and static/ from the sources and check them. The running app never imports
this package. (Named for what it holds: a folder called build/ is taken for build output by
common tools and ignore templates.)"""
