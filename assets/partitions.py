"""The edition partitions, declared once (read from reference/editions/editions.csv)."""

import dagster as dg

from pipeline.editions import edition_keys

editions = dg.StaticPartitionsDefinition(edition_keys())
