"""Renderers over scoring results: the JSON contract and reports that read like the inspectorate's."""
