"""The live demo (demo/run.sh), run from the top of the tree: python3 -m demo.live_demo."""
