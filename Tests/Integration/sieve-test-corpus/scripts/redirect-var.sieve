require ["variables"];
if header :matches "from" "*<*@*>" { redirect "${2}@forward.example"; }
