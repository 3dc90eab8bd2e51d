if header
   :is
   "subject"
   1
{
  keep;
}
