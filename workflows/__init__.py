"""Viewflow flows, one folder per workflow. Viewflow decides who does what next;
the services of each domain app decide what may happen to a record."""
