/* outer /* inner */ still */
keep;
