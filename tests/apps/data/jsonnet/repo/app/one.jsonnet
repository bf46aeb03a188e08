function(replicas, tier='web') { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'single' } }
