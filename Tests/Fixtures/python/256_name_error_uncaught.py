# Using an undefined name ends the program with NameError.
value = 10
print("value is", value)
total = value + undefined_quantity_xyz
print("not reached", total)
