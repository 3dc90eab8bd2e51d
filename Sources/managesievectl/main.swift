print("managesievectl: not yet built")
