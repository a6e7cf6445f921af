"""The scenario model: typed, frozen descriptions of channels, pools, behaviours, distributions and calendars."""
