"""Argo CD's objects and what they mean: Applications, ApplicationSets, and the tree they form."""
