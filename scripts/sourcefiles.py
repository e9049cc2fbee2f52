"""The files a tree check reads (scripts/check-format.py, check-layers.py):
the tracked ones (git ls-files) where ROOT is a git checkout, else every file
under ROOT outside build*/ and hidden folders; relative to ROOT, sorted."""
import os
import shutil
import subprocess


def source_files(root, extensions):
    """Paths relative to `root` of its files ending in one of `extensions`."""
    if os.path.isdir(os.path.join(root, ".git")) and shutil.which("git"):
        out = subprocess.run(["git", "-C", root, "ls-files", "-z"],
                             capture_output=True, check=True).stdout
        names = out.decode().split("\0")
    else:
        names = []
        for directory, subdirs, files in os.walk(root):
            subdirs[:] = [d for d in subdirs
                          if not d.startswith(("build", "."))]
            rel = os.path.relpath(directory, root)
            names += [os.path.normpath(os.path.join(rel, f)) for f in files]
    return sorted(n for n in names if n.endswith(tuple(extensions)))
