"""The report models: what a yearly summary, a unit profile and the trends say, computed, with no file written."""
