print("tqa")
