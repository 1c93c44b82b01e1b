# os.path.join, basename, dirname, splitext, split, isabs on literal strings.
import os
print(os.path.join("a", "b", "c.txt"), os.path.join("/root", "x"), os.path.join("a", "/abs"))
print(os.path.join("dir/", "file"), os.path.join("", "f"))
print(os.path.basename("/x/y/z.tar.gz"), os.path.basename("/x/y/"), os.path.basename("f"))
print(os.path.dirname("/x/y/z.py"), repr(os.path.dirname("z.py")))
print(os.path.splitext("archive.tar.gz"), os.path.splitext("noext"), os.path.splitext(".bashrc"))
print(os.path.split("/a/b/c"), os.path.isabs("/a"), os.path.isabs("a/b"))
print(os.path.normpath("a/./b/../c"), os.sep)
name, ext = os.path.splitext(os.path.basename("/data/report.final.csv"))
print(name, ext)
