"""Core tables: harmonise the raw deliveries of an edition into long tables with one meaning each
(one module per source family: `ho`, ...)."""
