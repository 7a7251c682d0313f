"""The command-line programs, each a ``main(argv)`` function: train, play, evaluate, export, collect, pipeline, list.

They share one argument module (:mod:`.args`), one config loader (:mod:`.configs`), one checkpoint resolution
(:mod:`.resolve`) and one simulator session (:mod:`.session`). ``scripts/`` and the ``distill-lab`` console script
call them; the pipeline and the benchmarks call them as functions.
"""
