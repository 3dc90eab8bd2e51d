keep ];
