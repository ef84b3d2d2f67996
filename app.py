A = ""  # vigil:ignore
# vigil:ignore
B = """
user = x
token = 
"""
KEEP = ""
