# property with getter, setter and deleter, plus property() called directly.
class Item:
    def __init__(self):
        self._price = 0
    def get_price(self):
        return self._price
    def set_price(self, v):
        print("setting", v)
        self._price = max(0, v)
    def del_price(self):
        print("deleting")
        self._price = None
    price = property(get_price, set_price, del_price, "The price.")

it = Item()
it.price = 10
it.price = -5
print(it.price)
del it.price
print(it.price)
print(Item.price.__doc__)
