"""Pipeline stages. Each module holds plain functions over typed records and one Stage class
that binds them to the store for the executor."""
