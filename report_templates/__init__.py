"""The Jinja2 templates, style sheets and nl/en message catalogue of the PDF and the site, shipped with
the code as package data; `pipeline.publish` renders them."""
