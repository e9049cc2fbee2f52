# Sourced by the CPU benchmarks: sets $py to a Python that imports torch,
# installing Debian's python3-torch when none does. That package is for the
# system Python (/usr/bin/python3), which may not be the first python3 on
# PATH.
py=python3
python3 -c "import torch" 2>/dev/null || py=/usr/bin/python3
"$py" -c "import torch" 2>/dev/null || apt-get install -y python3-torch >/dev/null
