# Adding an int and a str is an uncaught TypeError.
count = 3
label = "items: "
print(label + str(count))
print(count + label)
