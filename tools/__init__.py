"""Developer tools (not used in production).

Data import and validation scripts, and the helpers that tests and benchmarks share to
start real servers and throwaway databases.
"""
