# Converting a huge int to float is an uncaught OverflowError.
big = 10 ** 400
print(len(str(big)))
print(float(10 ** 300))
print(float(big))
