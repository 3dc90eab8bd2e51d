print("managesieved: not yet built")
