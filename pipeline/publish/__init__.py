"""Publication: warehouse load, charts, the PDF edition, the HTML site, downloads and the manifest."""
