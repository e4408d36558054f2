"""Statements -> claims: catalog (the disputed assertions of data/assertions.yaml), linking (a statement
to the assertions it asserts or denies), stance (a document's stance toward an assertion), and analyzer,
which runs extract and link on one document.
"""
