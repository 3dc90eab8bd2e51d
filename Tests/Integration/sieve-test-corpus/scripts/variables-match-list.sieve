require ["variables", "fileinto"];
if header :matches "list-id" "*<*>" { fileinto "lists.${2}"; } else { keep; }
