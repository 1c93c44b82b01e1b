# Popping from an empty list is uncaught.
stack = [1]
print(stack.pop())
print(stack.pop())
