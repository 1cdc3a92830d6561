"""What every way out shares: the choice of a representation from an Accept header
(`negotiation`) and the cells no spreadsheet program may run (`csvsafe`). Nothing is
imported here: the SPARQL worker imports `csvsafe` alone, standard library only."""
