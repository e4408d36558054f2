"""Documents -> statements: attribution (who said what), cues (the cue lexicon), parties (which party
a speaker speaks for, from data/actors.yaml) and dates (when a statement was made).
"""
