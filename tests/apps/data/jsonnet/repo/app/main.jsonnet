// extVars, TLAs (code and plain), an import beside this file and one from a lib
local helper = import 'helper.libsonnet';
local lib = import 'lib.libsonnet';

function(replicas, tier='web') [
  {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'cm-' + std.extVar('app') },
    data: {
      replicas: std.toString(replicas * 2),
      tier: tier,
      sum: std.toString(std.extVar('sum')),
      helper: helper.where,
      lib: lib.greeting,
    },
  },
]
