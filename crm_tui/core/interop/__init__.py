"""Getting records in and out in open formats: CSV, vCard and the JSON backup."""
