#!/usr/bin/env python3
"""Validates an OpenAPI document (file path or http URL) with openapi-spec-validator. Exit 0 when valid."""
import json
import sys
import urllib.request

from openapi_spec_validator import validate

source = sys.argv[1]
if source.startswith("http"):
    with urllib.request.urlopen(source) as response:
        document = json.load(response)
else:
    with open(source) as f:
        document = json.load(f)
validate(document)
print(f"valid OpenAPI {document['openapi']}: {len(document['paths'])} paths")
