# Calling a non-callable value is an uncaught TypeError.
config = {"retries": 3}
print(config["retries"])
retries = config["retries"]
retries()
