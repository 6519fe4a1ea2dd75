import HotlineApp
print("x")
