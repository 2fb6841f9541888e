"""The three shapes a stack can take, each wired from components on a shared foundation."""
