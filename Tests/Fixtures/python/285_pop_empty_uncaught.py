# Popping from an empty list is uncaught.
stack = [1]
print(stack)
print(stack.pop())
print(stack.pop())
