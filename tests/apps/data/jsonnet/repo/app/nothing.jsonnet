function(replicas, tier='web') null
